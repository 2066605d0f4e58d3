#ifndef CAMPAIGNCTL_FUZZER_DRIVER_H
#define CAMPAIGNCTL_FUZZER_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that have their own main
/// (compiler-rt FuzzerInterface.h). SwiftPM makes every executable's main
/// the module's entry function, so the fuzzers call this from @main.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
