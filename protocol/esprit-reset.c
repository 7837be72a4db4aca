/* esprit-reset.c: not written yet */
#include "config.h"
