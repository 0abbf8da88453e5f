# Script (cmake -P) that lays out /usr/share/doc/passgate as Debian policy wants it, in
# OUT_DIR: each document (DOCS, a ;-list) as it is, or gzip -9n'd (NAME.gz) when larger
# than 4 KiB; the changelog (CHANGELOG, Debian's format) always as changelog.gz, gzip -9n
# (a native package's name for it); the copyright file (COPYRIGHT) never compressed.
# Packaging.cmake runs it as the target package-doc.
foreach(var OUT_DIR DOCS CHANGELOG COPYRIGHT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "PackageDocs.cmake: -D${var}=... is required")
  endif()
endforeach()

function(gzip_to in out)
  execute_process(COMMAND gzip -9n -c ${in} OUTPUT_FILE ${out} COMMAND_ERROR_IS_FATAL ANY)
endfunction()

file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
foreach(doc IN LISTS DOCS)
  get_filename_component(name ${doc} NAME)
  file(SIZE ${doc} size)
  if(size GREATER 4096)
    gzip_to(${doc} ${OUT_DIR}/${name}.gz)
  else()
    file(COPY ${doc} DESTINATION ${OUT_DIR})
  endif()
endforeach()
gzip_to(${CHANGELOG} ${OUT_DIR}/changelog.gz)
file(COPY ${COPYRIGHT} DESTINATION ${OUT_DIR})
