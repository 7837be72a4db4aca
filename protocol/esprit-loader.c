/* esprit-loader.c: not written yet */
#include "config.h"
