/* esprit-transport-socket.c: not written yet */
#include "config.h"
