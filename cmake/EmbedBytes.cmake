# For the build-time scripts that put files into the binaries (cmake/EmbedAssets.cmake: the
# status page; tools/sim/scenarios/embed_scenarios.cmake: the rig's scenarios): include() it.
# passgate_char_array(FILE NAME OUT) sets OUT to "constexpr char NAME[] = {'\x..', ...};" with
# FILE's bytes and a final '\0' (not counted by the files' sizes: sizeof NAME - 1).
function(passgate_char_array file name out)
  file(READ ${file} _hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," _chars "${_hex}")
  set(${out} "constexpr char ${name}[] = {${_chars}'\\0'};\n" PARENT_SCOPE)
endfunction()
