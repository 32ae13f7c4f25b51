#include "core/tune/pruner.h"
