/* esprit-transport-rfc2217.c: not written yet */
#include "config.h"
