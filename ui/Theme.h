#pragma once

#include <QString>

// Light or dark colours for the whole app. System (the default) keeps the palette the platform
// gives; Light and Dark set a Fusion palette. The choice is remembered per user (QSettings) and
// the plots follow it (ThemedPlot reacts to palette changes).
enum class Theme { System, Light, Dark };

void applyTheme(Theme theme);
Theme savedTheme(); // System when nothing was chosen
void saveTheme(Theme theme);
QString themeName(Theme theme); // "System", "Light", "Dark"
