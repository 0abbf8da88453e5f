# The man pages: one scdoc source each, docs/man/<name>.<section>.scd, made into
# <build>/man/<name>.<section> (for `man -l`) and <name>.<section>.gz (gzip -9n, as Debian
# installs them) by the target `man`, part of `all`. Packaging.cmake installs those of the
# packaged programs. @VERSION@ in a source becomes the project's version; the date in each
# page's footer is that of the newest entry in cmake/debian/changelog, so that a rebuild
# makes the same pages. scdoc and dpkg-parsechangelog come from Debian's scdoc and dpkg-dev
# (scripts/bootstrap.sh installs both).
find_program(PASSGATE_SCDOC scdoc DOC "scdoc: builds the man pages from docs/man/*.scd")
if(NOT PASSGATE_SCDOC)
  message(FATAL_ERROR "scdoc not found: the man pages (docs/man/*.scd) are built with it. "
                      "Install Debian's package scdoc (scripts/bootstrap.sh installs every build dependency).")
endif()
find_program(PASSGATE_DPKG_PARSECHANGELOG dpkg-parsechangelog
             DOC "dpkg-parsechangelog (dpkg-dev): the man pages' date from cmake/debian/changelog")
if(NOT PASSGATE_DPKG_PARSECHANGELOG)
  message(FATAL_ERROR "dpkg-parsechangelog not found: install Debian's package dpkg-dev "
                      "(scripts/bootstrap.sh installs every build dependency).")
endif()

set(PASSGATE_CHANGELOG ${PROJECT_SOURCE_DIR}/cmake/debian/changelog)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PASSGATE_CHANGELOG})
execute_process(COMMAND ${PASSGATE_DPKG_PARSECHANGELOG} -l ${PASSGATE_CHANGELOG} -S Version
                OUTPUT_VARIABLE _changelog_version OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${PASSGATE_DPKG_PARSECHANGELOG} -l ${PASSGATE_CHANGELOG} -S Timestamp
                OUTPUT_VARIABLE PASSGATE_RELEASE_EPOCH OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
if(NOT _changelog_version STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "cmake/debian/changelog's newest entry is version ${_changelog_version}, but project() says "
                      "${PROJECT_VERSION}: add an entry for ${PROJECT_VERSION} (it becomes the package's changelog).")
endif()

set(PASSGATE_MAN_DIR ${CMAKE_BINARY_DIR}/man)
file(MAKE_DIRECTORY ${PASSGATE_MAN_DIR})
set(_man_outputs)
foreach(page passgated.8 passgatectl.8 passgate.toml.5 passgate-sim.1)
  set(_source ${PROJECT_SOURCE_DIR}/docs/man/${page}.scd)
  set(_page ${PASSGATE_MAN_DIR}/${page})
  add_custom_command(
    OUTPUT ${_page} ${_page}.gz
    COMMAND sh -c "sed 's/@VERSION@/${PROJECT_VERSION}/g' \"$0\" | SOURCE_DATE_EPOCH=${PASSGATE_RELEASE_EPOCH} \"$1\" > \"$2\" && gzip -9n < \"$2\" > \"$2.gz\""
            ${_source} ${PASSGATE_SCDOC} ${_page}
    DEPENDS ${_source} ${PASSGATE_CHANGELOG}
    COMMENT "scdoc: man page ${page}"
    VERBATIM)
  list(APPEND _man_outputs ${_page}.gz)
endforeach()
add_custom_target(man ALL DEPENDS ${_man_outputs})
