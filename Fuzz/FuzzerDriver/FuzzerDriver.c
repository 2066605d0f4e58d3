// Only a header: LLVMFuzzerRunDriver comes from the libFuzzer runtime.
#include "FuzzerDriver.h"
