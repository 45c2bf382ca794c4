#pragma once

// The app's dialogs, one header each; this one names them all for code that still includes
// it (the UI tests).
#include "ui/group_info_dialog.h"
#include "ui/people_dialog.h"
#include "ui/quick_switcher.h"
#include "ui/report_reason.h"
#include "ui/search_dialog.h"
#include "ui/settings_dialog.h"
