#include "core/offload.hpp"

namespace payrollx {

boost::asio::thread_pool::executor_type offload_executor() {
  static boost::asio::thread_pool pool(2);
  return pool.get_executor();
}

}  // namespace payrollx
