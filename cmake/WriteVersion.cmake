# Writes the build's identity for --version (common/version.hpp), run at every build:
#   cmake -DSOURCE_DIR=... -DTEMPLATE=.../version_info.cpp.in -DOUTPUT=.../version_info.cpp
#         -DVERSION=0.1.0 -DBUILD_TYPE=RelWithDebInfo -P WriteVersion.cmake
# The revision is `git describe --always --dirty` of SOURCE_DIR when SOURCE_DIR is the top of
# a git checkout, else "unknown" (a source tarball, even one unpacked inside another
# repository). configure_file leaves OUTPUT alone when nothing changed, so an unchanged
# tree recompiles nothing.
set(PASSGATE_VERSION "${VERSION}")
set(PASSGATE_BUILD_TYPE "${BUILD_TYPE}")
if(PASSGATE_BUILD_TYPE STREQUAL "")
  set(PASSGATE_BUILD_TYPE "unspecified")
endif()
set(PASSGATE_GIT_REVISION "unknown")
find_program(GIT git)
if(GIT)
  execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} rev-parse --show-toplevel
                  OUTPUT_VARIABLE top RESULT_VARIABLE failed OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT failed)
    file(REAL_PATH "${top}" top)
    file(REAL_PATH "${SOURCE_DIR}" source)
  endif()
  if(NOT failed AND top STREQUAL source)
    execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} describe --always --dirty
                    OUTPUT_VARIABLE described RESULT_VARIABLE failed OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(NOT failed AND NOT described STREQUAL "")
      set(PASSGATE_GIT_REVISION "${described}")
    endif()
  endif()
endif()
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
