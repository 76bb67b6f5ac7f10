"""The admin speaks correct Polish about the registry's records: the accusative in "Dodaj
instytucję", the gender in "Instytucja „…” została dodana" (core.grammar), as the user sees it."""

from django.contrib.messages import get_messages

from events.models import Event
from members.models import Institution
from partnerships.models import Partnership
from tests.builders import AdminTestCase, admin_url, csrf_token, form_data


class PolishMessagesTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.staff)

    def test_the_add_button_and_titles_use_the_accusative(self):
        page = self.client.get(admin_url(Institution, "changelist"))
        self.assertContains(page, "Dodaj instytucję")
        self.assertContains(page, "<h1>Wybierz instytucję do zmiany</h1>", html=True)
        self.assertNotContains(page, "Dodaj instytucja")
        page = self.client.get(admin_url(Institution, "add"))
        self.assertContains(page, "<h1>Dodaj instytucję</h1>", html=True)
        page = self.client.get(admin_url(self.own_institution, "change"))
        self.assertContains(page, "<h1>Zmień instytucję</h1>", html=True)
        # Another region's record opens to be viewed.
        page = self.client.get(admin_url(self.other_institution, "change"))
        self.assertContains(page, "<h1>Zobacz instytucję</h1>", html=True)
        self.assertContains(self.client.get(admin_url(Event, "changelist")), "Dodaj wydarzenie")
        self.assertContains(self.client.get(admin_url(Partnership, "changelist")), "Usuń zaznaczone: partnerstwa")
        self.assertNotContains(self.client.get(admin_url(Partnership, "changelist")), "wybrane(-nych)")

    def messages_after(self, response) -> list[str]:
        return [str(m) for m in get_messages(response.wsgi_request)]

    def test_saving_says_it_in_the_gender_of_the_name(self):
        page = self.client.get(admin_url(Institution, "add"))
        data = form_data(page)
        data.update(
            csrfmiddlewaretoken=csrf_token(page),
            name="Gminny Ośrodek Pomocy Społecznej w Testowie",
            slug="gops-testowo",
            kind="gops",
            commune="1465011",
            country="PL",
        )
        response = self.client.post(admin_url(Institution, "add"), data, follow=True)
        self.assertContains(response, "Instytucja „Gminny Ośrodek Pomocy Społecznej w Testowie” została dodana.")
        self.assertNotContains(response, "został(a)")

        page = self.client.get(admin_url(self.own_partnership, "change"))
        data = form_data(page)
        data.update(csrfmiddlewaretoken=csrf_token(page), goal="Nowy cel", _continue="1")
        response = self.client.post(admin_url(self.own_partnership, "change"), data, follow=True)
        self.assertContains(
            response,
            "Partnerstwo „Partnerstwo testowe mazowieckie” zostało zmienione. Możesz je dalej edytować poniżej.",
        )

    def test_deleting_says_it_in_the_gender_of_the_name(self):
        partnership = Partnership.objects.create(name="Do usunięcia", slug="do-usuniecia", home_voivodeship_id="14")
        page = self.client.get(admin_url(partnership, "delete"))
        response = self.client.post(
            admin_url(partnership, "delete"), {"post": "yes", "csrfmiddlewaretoken": csrf_token(page)}, follow=True
        )
        self.assertContains(response, "Partnerstwo „Do usunięcia” zostało usunięte.")

    def test_django_sentences_about_any_model_read_correctly_whatever_its_gender(self):
        page = self.client.get(admin_url(self.own_partnership, "change")).content.decode()
        # The inline's "add a row" link, in the page as JSON.
        self.assertIn("Dodaj kolejny wiersz: Cz\\u0142onkostwo", page)
        self.assertIn("Zmień wybrany rekord (instytucja)", page)
        for mangled in ("(-ne)", "(-ną)", "(-na)", "(a)(-ło)"):
            self.assertNotIn(mangled, page)
        self.client.force_login(self.superuser)
        page = self.client.get("/admin/auth/group/add/")
        response = self.client.post(
            "/admin/auth/group/add/", {"csrfmiddlewaretoken": csrf_token(page), "name": "Czytelnicy"}, follow=True
        )
        message = [str(m) for m in response.context["messages"]]
        self.assertEqual(len(message), 1)
        # Django's own model, named through the admin's grammar like ours.
        self.assertEqual(message, ["Grupa „Czytelnicy” została dodana."])


class ActionCheckboxTests(AdminTestCase):
    def test_each_rows_checkbox_is_djangos_markup_and_selects_the_row_for_an_action(self):
        from django.contrib import admin

        from partnerships.models import Partnership

        model_admin = admin.site.get_model_admin(Partnership)
        partnership = Partnership(pk=7, name='Partnerstwo "A" & <B>')
        self.assertEqual(
            model_admin.action_checkbox(partnership), admin.ModelAdmin.action_checkbox(model_admin, partnership)
        )
        self.client.force_login(self.superuser)
        page = self.client.get(admin_url(Partnership, "changelist")).content.decode()
        self.assertIn(f'name="_selected_action" value="{self.own_partnership.pk}" class="action-select"', page)
        self.assertIn('id="action-toggle"', page)


class RowLinkTests(AdminTestCase):
    def test_a_rows_link_keeps_the_lists_search_and_filters_as_djangos_does(self):
        from django.contrib.admin.templatetags.admin_urls import add_preserved_filters

        from partnerships.models import Partnership

        self.client.force_login(self.superuser)
        response = self.client.get(admin_url(Partnership, "changelist"), {"q": self.own_partnership.name[:6]})
        changelist = response.context["cl"]
        change = admin_url(self.own_partnership, "change")
        djangos = add_preserved_filters(
            {"preserved_filters": changelist.row_link_query, "opts": Partnership._meta}, change
        )
        self.assertIn("_changelist_filters=q%3D", djangos)
        self.assertContains(response, f'href="{djangos}"')
        # Saving from there returns to the searched list.
        page = self.client.get(djangos)
        self.assertEqual(page.context["preserved_filters"], changelist.row_link_query)

    def test_a_row_of_an_unfiltered_list_links_to_the_record_alone(self):
        from partnerships.models import Partnership

        self.client.force_login(self.superuser)
        response = self.client.get(admin_url(Partnership, "changelist"))
        self.assertContains(response, f'href="{admin_url(self.own_partnership, "change")}"')
        self.assertNotContains(response, "_changelist_filters")
