/* esprit-transport-open.c: not written yet */
#include "config.h"
