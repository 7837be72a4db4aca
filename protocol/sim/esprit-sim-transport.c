/* esprit-sim-transport.c: not written yet */
#include "config.h"
