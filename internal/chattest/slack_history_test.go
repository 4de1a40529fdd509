package chattest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/incidentbot/incidentbot/internal/chattest"
)

func keyed(key string) slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "incidentbot_post", EventPayload: map[string]any{"key": key}})
}

func TestSlackMetadataHistory(t *testing.T) {
	f, api := newSlackClient(t)
	ctx := t.Context()
	_, root, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("INC-1 declared", false), keyed("k1"))
	if err != nil {
		t.Fatal(err)
	}
	_, reply, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("update", false), slack.MsgOptionTS(root), keyed("k2"))
	if err != nil {
		t.Fatal(err)
	}
	_, plain, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("no metadata", false))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(f.Messages("C1")[0].Metadata); got != `{"event_type":"incidentbot_post","event_payload":{"key":"k1"}}` {
		t.Errorf("root Metadata = %s", got)
	}

	h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	type seen struct{ TS, Text, Key, ThreadTS string }
	read := func(msgs []slack.Message) []seen {
		var out []seen
		for _, m := range msgs {
			key, _ := m.Metadata.EventPayload["key"].(string)
			out = append(out, seen{m.Timestamp, m.Text, key, m.ThreadTimestamp})
		}
		return out
	}
	want := []seen{{plain, "no metadata", "", ""}, {root, "INC-1 declared", "k1", root}}
	if diff := cmp.Diff(want, read(h.Messages)); diff != "" || h.HasMore {
		t.Errorf("history (-want +got), has_more %v:\n%s", h.HasMore, diff)
	}
	if m := h.Messages[1]; m.ReplyCount != 1 || m.LatestReply != reply || m.Metadata.EventType != "incidentbot_post" {
		t.Errorf("root in history = %+v, want 1 reply, latest %s, its metadata", m.Msg, reply)
	}

	h, err = api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil || len(h.Messages) != 2 || h.Messages[1].Metadata.EventType != "" {
		t.Errorf("history without include_all_metadata = %+v, %v; want no metadata", h, err)
	}

	msgs, more, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: root, IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	want = []seen{{root, "INC-1 declared", "k1", root}, {reply, "update", "k2", root}}
	if diff := cmp.Diff(want, read(msgs)); diff != "" || more {
		t.Errorf("replies (-want +got), has_more %v:\n%s", more, diff)
	}

	// An update replaces the metadata; one without keeps it.
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", root, slack.MsgOptionText("INC-1 resolved", false), keyed("k3")); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", root, slack.MsgOptionText("INC-1 closed", false)); err != nil {
		t.Fatal(err)
	}
	msgs, _, _, err = api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: reply, IncludeAllMetadata: true})
	if err != nil || len(msgs) != 2 || msgs[0].Text != "INC-1 closed" || msgs[0].Metadata.EventPayload["key"] != "k3" {
		t.Errorf("replies by a reply's ts = %+v, %v; want the thread, root keyed k3", read(msgs), err)
	}

	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false), slack.MsgOptionMetadata(slack.SlackMetadata{}))
	wantSlackError(t, err, "invalid_metadata_format")
	_, _, _, err = api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: "1.000001"})
	wantSlackError(t, err, "thread_not_found")
}

func TestSlackHistoryPages(t *testing.T) {
	_, api := newSlackClient(t)
	ctx := t.Context()
	var ts []string
	for _, text := range []string{"a", "b", "c"} {
		_, t1, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(text, false))
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, t1)
	}
	var got []string
	params := &slack.GetConversationHistoryParameters{ChannelID: "C1", Limit: 2}
	for range 3 {
		h, err := api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range h.Messages {
			got = append(got, m.Text)
		}
		if !h.HasMore {
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	if diff := cmp.Diff([]string{"c", "b", "a"}, got); diff != "" {
		t.Errorf("paged history (-want +got):\n%s", diff)
	}

	h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", Oldest: ts[0], Latest: ts[2]})
	if err != nil || len(h.Messages) != 1 || h.Messages[0].Text != "b" {
		t.Errorf("history between a and c = %+v, %v; want b", h, err)
	}
	h, err = api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", Oldest: ts[0], Latest: ts[2], Inclusive: true})
	if err != nil || len(h.Messages) != 3 {
		t.Errorf("inclusive history = %+v, %v; want all three", h, err)
	}
	_, err = api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", Cursor: "bogus"})
	wantSlackError(t, err, "invalid_cursor")
}

func TestSlackConversationsList(t *testing.T) {
	f, api := newSlackClient(t)
	ctx := t.Context()
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-1-db-down"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-2-secret", IsPrivate: true}); err != nil {
		t.Fatal(err)
	}
	f.AddChannel("C0LD", "general")

	type seen struct{ ID, Name, Creator string }
	var got []seen
	params := &slack.GetConversationsParameters{Types: []string{"public_channel"}, ExcludeArchived: true, Limit: 1}
	for range 5 {
		chs, cursor, err := api.GetConversationsContext(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range chs {
			if c.IsArchived {
				t.Errorf("%s is archived", c.ID)
			}
			got = append(got, seen{c.ID, c.Name, c.Creator})
		}
		if cursor == "" {
			break
		}
		params.Cursor = cursor
	}
	want := []seen{{ch.ID, "inc-1-db-down", chattest.SlackBotUserID}, {"C0LD", "general", ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("conversations.list (-want +got):\n%s", diff)
	}

	chs, _, err := api.GetConversationsContext(ctx, &slack.GetConversationsParameters{Types: []string{"private_channel"}})
	if err != nil || len(chs) != 1 || chs[0].Name != "inc-2-secret" || !chs[0].IsPrivate {
		t.Errorf("private channels = %+v, %v; want inc-2-secret", chs, err)
	}
	_, _, err = api.GetConversationsContext(ctx, &slack.GetConversationsParameters{Types: []string{"dm"}})
	wantSlackError(t, err, "invalid_types")
}
