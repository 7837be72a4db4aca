/* esprit-progress.c: not written yet */
#include "config.h"
