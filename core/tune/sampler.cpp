#include "core/tune/sampler.h"
