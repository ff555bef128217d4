// The standing of a token's principal, re-read in a money request's own transaction: an access
// token lives 15 minutes, but a deactivated, demoted or signed-out user must move no money from
// the moment the change commits. A plain read (no row lock): a change that commits while a money
// transaction runs takes effect from the next one. Share-locking the user's row (tried) closes
// that window but starves the deactivation: a user sending money without pause holds a share
// lock at every instant, and the admin's FOR UPDATE waited out the statement timeout. Strict
// ordering would need a fair lock (a shared advisory lock per user, taken exclusively by the
// changes), left for later.
#include "core/error.hpp"
#include "modules/auth/service.hpp"
#include "modules/auth/store.hpp"

namespace payrollx::auth {

boost::asio::awaitable<void> Service::confirm_standing(db::Tx& tx, const Principal& principal) {
  if (!principal.session_id) throw unauthorized("The access token belongs to no session.");
  auto standing = co_await Store::standing(tx, principal);
  if (!standing || !standing->is_active) throw unauthorized("The account is deactivated.");
  if (!standing->session_live) throw unauthorized("The session was signed out; sign in again.");
  if (standing->role != principal.role)
    throw forbidden("The account's role changed; sign in again.");
}

}  // namespace payrollx::auth
