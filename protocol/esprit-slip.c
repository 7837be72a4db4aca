/* esprit-slip.c: not written yet */
#include "config.h"
