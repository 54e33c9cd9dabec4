#pragma once

namespace mn {
// "version=<package version> source=<sha256 of the native sources>" (native/build-stamp.cmake).
const char* build_stamp_text();
}  // namespace mn
