/* esprit-image.c: not written yet */
#include "config.h"
