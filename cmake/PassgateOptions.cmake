# Compiler flags shared by every Passgate target: warnings as errors, sanitizers on request.
add_library(passgate_options INTERFACE)
target_compile_options(passgate_options INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
target_compile_definitions(passgate_options INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_BIND_GLOBAL_PLACEHOLDERS)
target_include_directories(passgate_options INTERFACE ${PROJECT_SOURCE_DIR})

# Hardening as Debian builds its packages (lintian checks the .deb for it): libc calls
# fortified in optimized builds (glibc needs -O for it; the sanitizers check more themselves),
# and a read-only GOT with every symbol bound at start.
if(NOT PASSGATE_SANITIZE AND NOT PASSGATE_FUZZ)
  target_compile_definitions(passgate_options INTERFACE $<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:_FORTIFY_SOURCE=2>)
endif()
target_link_options(passgate_options INTERFACE LINKER:-z,relro LINKER:-z,now)

# A target whose PASSGATE_UNINSTRUMENTED property is set (the simulators, test tools) is
# compiled without them, though linked with them (it links instrumented libraries).
if(PASSGATE_SANITIZE)
  set(_san -fsanitize=address$<COMMA>undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_compile_options(passgate_options INTERFACE "$<$<NOT:$<BOOL:$<TARGET_PROPERTY:PASSGATE_UNINSTRUMENTED>>>:${_san}>")
  target_link_options(passgate_options INTERFACE ${_san})
endif()

# Unity builds (-DCMAKE_UNITY_BUILD=ON; scripts/test.sh builds its sanitizer suite so, which
# on two cores takes 10 minutes instead of 14.5) compile each target's .cpp files as headers
# of one file: types local to a .cpp then look like header types in an anonymous namespace.
# Files whose file-local names clash with a sibling's opt out with SKIP_UNITY_BUILD_INCLUSION.
# GCC then warns of header types with members of such types (-Wsubobject-linkage); clang
# has no such warning.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(passgate_options INTERFACE -Wno-subobject-linkage)
endif()

# passgate_library(NAME DIR DEPS...) makes one static library from every .cpp in DIR.
function(passgate_library name)
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(${name} STATIC ${_srcs})
  target_link_libraries(${name} PUBLIC passgate_options ${ARGN})
endfunction()

# passgate_precompile(TARGET HEADER...) precompiles the heavy third-party headers a target's
# sources share (Boost.Asio, Catch2, CLI11, JSON, ...): on CI's two cores this saves a large
# part of each build. Project headers are never precompiled, so a missing #include still
# shows up in the build without PCH (-DPASSGATE_PCH=OFF).
option(PASSGATE_PCH "Precompile the heavy third-party headers" ON)
function(passgate_precompile target)
  if(PASSGATE_PCH)
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()
