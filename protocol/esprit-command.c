/* esprit-command.c: not written yet */
#include "config.h"
