// The version of this build and the commit it came from (set by CMake).
#pragma once

#include <string_view>

namespace tributary {

std::string_view version();
std::string_view git_commit();

}  // namespace tributary
