/* esprit-transport-serial.c: not written yet */
#include "config.h"
