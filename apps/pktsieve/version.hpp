// The version string, from meson's project().
#pragma once

#include "version_config.h"

namespace pktsieve {
inline constexpr const char* kVersion = PKTSIEVE_VERSION;
}
