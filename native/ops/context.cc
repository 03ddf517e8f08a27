// The kernel rows of one ISA level, gathered once by each front end at load.
#include "ops/ops.h"

namespace quantkit::ops {

Context ContextFor(IsaLevel level, int threads) {
  return Context{KernelsFor(level),
                 &ConvertKernelsFor(level),
                 &Float8KernelsFor(level),
                 &ggml::GgmlKernelsFor(level),
                 &calibrate::CalibrateKernelsFor(level),
                 &preprocess::PreprocessKernelsFor(level),
                 threads};
}

}  // namespace quantkit::ops
