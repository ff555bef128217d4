// Boost.JSON and Boost.URL compiled into the fuzzers, with their coverage, instead of linked as
// Debian's shared libraries: without it libFuzzer could not see inside the JSON and URL parsers,
// and would find no way into the code that reads what they parse.
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
