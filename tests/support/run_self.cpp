#include "run_self.h"

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <string>

int rqt::run_self_at(const char *self, const char *var, const char *value, const char *test_name)
{
    // Through the shell so that a cross-compiled build runs itself under its
    // emulator (RQ_TEST_EMULATOR, e.g. qemu-aarch64; empty natively).
    const std::string command = std::string(var) + "='" + value + "' " + RQ_TEST_EMULATOR + " '" + self + "' '" +
                                test_name + "' > /dev/null";
    const int status = std::system(command.c_str());
    REQUIRE(status != -1);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}
