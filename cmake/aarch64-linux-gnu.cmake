# Cross-compiling for arm64 Linux from another Linux with Debian's cross toolchain
# (g++-aarch64-linux-gnu), e.g. the linux-arm64 prebuild made by scripts/build-arm64.js:
#   cmake-js compile --arch arm64 --CDCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# QUANTKIT_CROSS_PREFIX names another toolchain of the same shape (default aarch64-linux-gnu-).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

if(NOT DEFINED QUANTKIT_CROSS_PREFIX)
  set(QUANTKIT_CROSS_PREFIX aarch64-linux-gnu-)
endif()
set(CMAKE_C_COMPILER ${QUANTKIT_CROSS_PREFIX}gcc)
set(CMAKE_CXX_COMPILER ${QUANTKIT_CROSS_PREFIX}g++)

# Target libraries and headers come from the cross sysroot only; programs (node, which
# CMakeLists.txt runs to find node-addon-api) from the build machine.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
