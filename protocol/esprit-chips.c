/* esprit-chips.c: not written yet */
#include "config.h"
