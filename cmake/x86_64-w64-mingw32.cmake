# Cross-compiling for Windows x64 from Linux with Debian's MinGW-w64 (package mingw-w64), e.g.
# the win32-x64 prebuild made by scripts/build-win.js:
#   cmake-js compile --arch x64 --CDCMAKE_TOOLCHAIN_FILE=cmake/x86_64-w64-mingw32.cmake
# The -posix compilers are the ones with std::thread (winpthreads); the default -win32 ones
# have none. QUANTKIT_CROSS_PREFIX names another toolchain of the same shape.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

if(NOT DEFINED QUANTKIT_CROSS_PREFIX)
  set(QUANTKIT_CROSS_PREFIX x86_64-w64-mingw32-)
endif()
set(CMAKE_C_COMPILER ${QUANTKIT_CROSS_PREFIX}gcc-posix)
set(CMAKE_CXX_COMPILER ${QUANTKIT_CROSS_PREFIX}g++-posix)
set(CMAKE_RC_COMPILER ${QUANTKIT_CROSS_PREFIX}windres)
set(CMAKE_DLLTOOL ${QUANTKIT_CROSS_PREFIX}dlltool)

# Target libraries and headers come from the MinGW sysroot only; programs (node, which
# CMakeLists.txt runs to find node-addon-api) from the build machine.
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
