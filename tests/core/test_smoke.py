def test_home_page_renders_with_sample_plugin_slot(client, site):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Hello from the sample plugin" in response.content or b"Welcome" in response.content
