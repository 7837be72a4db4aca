/* esprit-port-list.c: not written yet */
#include "config.h"
