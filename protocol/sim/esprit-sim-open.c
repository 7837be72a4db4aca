/* esprit-sim-open.c: not written yet */
#include "config.h"
