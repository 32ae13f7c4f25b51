#include "core/tune/search_space.h"
