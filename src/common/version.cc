#include "common/version.h"

namespace tributary {

std::string_view version() { return TRIBUTARY_VERSION; }
std::string_view git_commit() { return TRIBUTARY_GIT_COMMIT; }

}  // namespace tributary
