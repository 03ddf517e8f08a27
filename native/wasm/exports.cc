// placeholder: replaced by the C ABI of the wasm backend
#include <cstdint>
#include "kernels/isa/kernels.h"
extern "C" {
__attribute__((used)) const char* qk_version() { return QUANTKIT_VERSION; }
}
