# The directory (bridge/store/directory.c, ldap/) against a private slapd
# started by with-services.sh; the test also starts a --bare slapd of its own
# for the schema check and restarts the first one mid-test.
# Include from tests/integration/CMakeLists.txt:  include(directory.cmake)
add_executable(test_directory ${CMAKE_CURRENT_LIST_DIR}/test_directory.c)
# libldap directly as well: the test checks what landed, as the rootdn;
# test_stores for the contract the in-memory directory passes too
target_link_libraries(test_directory PRIVATE bridge_stores test_stores PkgConfig::LDAP Threads::Threads)
target_compile_definitions(test_directory PRIVATE
  BR_TEST_SERVICES_DIR="${PROJECT_SOURCE_DIR}/tests/services")
add_test(NAME integration_directory
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/with-services.sh --slapd -- $<TARGET_FILE:test_directory>)
set_tests_properties(integration_directory PROPERTIES LABELS integration TIMEOUT 120)

# The same under valgrind: no definite or indirect leak, no memory error.
find_program(VALGRIND_PROGRAM valgrind)
if(VALGRIND_PROGRAM AND NOT BRIDGE_SANITIZE)
  add_test(NAME integration_directory_valgrind
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/with-services.sh --slapd --
      ${VALGRIND_PROGRAM} -q --leak-check=full --errors-for-leak-kinds=definite,indirect
      --error-exitcode=1 $<TARGET_FILE:test_directory>)
  set_tests_properties(integration_directory_valgrind PROPERTIES LABELS "integration;valgrind" TIMEOUT 300)
endif()
