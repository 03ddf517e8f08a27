// Node-API glue of the calibrate capability (calibrate.cc): registered on the addon's exports
// by addon.cc, with the kernel rows and thread count the addon picked at load.
#pragma once

#include <napi.h>

#include "kernels/calibrate/calibrate.h"
#include "kernels/isa/kernels.h"

namespace quantkit {
namespace glue {

struct CalibrateContext {
  const KernelTable* kernels = nullptr;
  const calibrate::CalibrateKernels* calibrate = nullptr;
  int threads = 1;
};

// Defines errorStatsQuantize, errorStatsPair and histogramAdd on `exports`; `ctx` must live as
// long as the addon instance (it is one of its members).
void DefineCalibrate(Napi::Env env, Napi::Object exports, const CalibrateContext* ctx);

}  // namespace glue
}  // namespace quantkit
