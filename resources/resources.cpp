// A static library needs one source of its own; the icons arrive through qt_add_resources
// (resources/CMakeLists.txt), which registers them when the program starts.
namespace orrery::resources {
int iconSetVersion()
{
    return 1;
}
} // namespace orrery::resources
