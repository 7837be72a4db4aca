/* esprit-flash.c: not written yet */
#include "config.h"
