#include "cli.h"

int iof_cli_synth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return IOF_EXIT_USAGE;
}
