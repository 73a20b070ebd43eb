#ifndef WSCONFORM_CMD_RUN_H
#define WSCONFORM_CMD_RUN_H

/* `wsconform run URL [options]`; argv[0] is "run". Returns the exit status. */
int cmd_run(int argc, char **argv);

#endif
