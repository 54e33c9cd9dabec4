// The build stamp that lib/binding.ts reads from the .node file before loading it, so a stale or foreign binary
// gets a clear error instead of running. The text comes from native/build-stamp.cmake (regenerated whenever a
// native source or package.json changes); the marker in front of it is what the loader searches for.
#include "build_stamp.h"

#include "mn_build_stamp.h"

namespace mn {
// Referenced by build_stamp_text() (the addon's `buildStamp` export), so the linker keeps it.
extern const char kBuildStamp[];
const char kBuildStamp[] = "mobilenet-native build stamp: " MN_BUILD_STAMP_TEXT;

const char* build_stamp_text() { return kBuildStamp + sizeof("mobilenet-native build stamp: ") - 1; }
}  // namespace mn
