// detectionPostprocess() for the addon's exports (detection.cc).
#pragma once
#include <napi.h>

Napi::Value DetectionPostprocess(const Napi::CallbackInfo& info);
