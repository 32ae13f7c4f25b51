# orrery_module(NAME [MOC] SOURCES … LINKS …)
# One static library per core module. LINKS lists exactly the modules and libraries it may use
# (docs/architecture.md's module table), so the dependency graph is a build fact. Only modules with QObjects say
# MOC: without AUTOMOC a module's compile commands name no build folder, so ccache shares its
# objects between build/ and build-nogui/ (and between CI's fresh clones).
function(orrery_module name)
  cmake_parse_arguments(ARG "MOC" "" "SOURCES;LINKS;PRIVATE_LINKS" ${ARGN})
  add_library(orrery_${name} STATIC ${ARG_SOURCES})
  target_include_directories(orrery_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(orrery_${name} PUBLIC ${ARG_LINKS} PRIVATE ${ARG_PRIVATE_LINKS})
  set_target_properties(orrery_${name} PROPERTIES AUTOMOC ${ARG_MOC} POSITION_INDEPENDENT_CODE ON)
endfunction()

# orrery_test(NAME [XVFB] SOURCES … LINKS …)
# One Qt Test executable per unit, registered in CTest under its module's label. Tests run on
# Qt's offscreen platform; XVFB runs one in a real X server instead (xvfb-run, a free display).
# Every test links orrery_test_support (tests/support/test_support.h: writeFile, readFile, run,
# runCli, git — helpers that fail loudly).
function(orrery_test name)
  cmake_parse_arguments(ARG "XVFB" "LABEL" "SOURCES;LINKS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test orrery_test_support ${ARG_LINKS})
  target_compile_definitions(${name} PRIVATE
    ORRERY_CLI_PATH="$<TARGET_FILE_DIR:orrery-cli>/orrery-cli"
    ORRERY_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    ORRERY_BINARY_DIR="${PROJECT_BINARY_DIR}")
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  if(ARG_XVFB)
    add_test(NAME ${name} COMMAND xvfb-run -a -s "-screen 0 1600x1000x24" $<TARGET_FILE:${name}>)
    set(platform xcb)
  else()
    add_test(NAME ${name} COMMAND ${name})
    set(platform offscreen)
  endif()
  # A QSKIP is reported as a skip, not as a pass (Qt Test exits 0 for it): the run's totals line
  # with skips and no failures marks the test skipped, and packaging/test.sh fails CI on any skip.
  # Tests run on real time (empty clock variables, core/common/clock.h) whatever the shell exported;
  # the ones about the compressed clock set it themselves.
  set_tests_properties(${name} PROPERTIES
    LABELS "${ARG_LABEL}"
    ENVIRONMENT "QT_QPA_PLATFORM=${platform};LC_ALL=C.UTF-8;ORRERY_CLOCK_SCALE=;ORRERY_CLOCK_ANCHOR="
    SKIP_REGULAR_EXPRESSION "Totals: [0-9]+ passed, 0 failed, [1-9][0-9]* skipped"
    TIMEOUT 300)
endfunction()
