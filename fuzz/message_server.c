/* Fuzz target: the message assembler as a server reads (masked frames
 * required). Input layout and properties: message_common.h. */
#include "message_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_message(data, size, WS_ROLE_SERVER, false);
}
