"""manage.py load_gazetteer FILE --county 科右中旗: load a banner's official village list (CSV township,village,code)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from planportal import background
from plans.access import SYSTEM
from projects.gazetteer import MAX_BYTES, load_summary
from projects.services import village_list_apply


class Command(BaseCommand):
    help = ("Load a banner's official township → village list (CSV with the columns township, village, code; "
            "other columns ignored) and recognise the places of the banner's plans with it. Loading the same "
            "file again changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8, with or without BOM, or GB18030)")
        parser.add_argument("--county", required=True, help="the banner (county) the list is of, e.g. 科右中旗")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the messages")

    def handle(self, *args, file, county, lang, **options):
        with translation.override("en" if lang == "en" else "zh-hans"):
            path = Path(file)
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": file})
            if path.stat().st_size > MAX_BYTES:  # refused before it is read into memory
                raise CommandError(_("The file is %(size)s MB; a village list is at most %(max)s MB. Is it the "
                                     "right file?") % {"size": round(path.stat().st_size / 2**20, 1),
                                                       "max": MAX_BYTES // 2**20})
            try:
                with background.inline():  # the recompute the changed places ask for runs before the command ends
                    _list, load, resolved = village_list_apply(county=county, data=path.read_bytes(),
                                                               file_name=path.name, user=SYSTEM)
            except ValidationError as refused:
                raise CommandError("\n".join([_("%(file)s was not loaded:") % {"file": path.name},
                                              *refused.messages])) from None
            for line in load_summary(load, resolved):
                self.stdout.write(line)
