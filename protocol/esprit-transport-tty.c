/* esprit-transport-tty.c: not written yet */
#include "config.h"
