"""会议模式 Meeting mode: full-screen slides that advance by themselves, and the PPTX brief."""
from lib.ui import meeting_ui
from lib.ui.frame import current_filters


meeting_ui.run(current_filters())
