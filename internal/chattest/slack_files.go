package chattest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// SlackFile is a file shared in a channel through Slack's three-step
// upload: files.getUploadURLExternal, the upload itself, and
// files.completeUploadExternal.
type SlackFile struct {
	ID, Name, Title string
	Content         string
	Comment         string // the initial comment it was shared with
}

// slackUpload is a file between its upload URL and its completion.
type slackUpload struct {
	name     string
	length   int
	content  string
	uploaded bool
}

// Files returns the files shared in channel, in order. A direct message's
// channel is "D" followed by the user's ID.
func (s *Slack) Files(channel string) []SlackFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SlackFile(nil), s.files[channel]...)
}

// openIM answers conversations.open for one user: their direct message.
func (s *Slack) openIM(f url.Values) (slackObj, error) {
	users := strings.Split(f.Get("users"), ",")
	if len(users) != 1 || !strings.HasPrefix(users[0], "U") {
		return nil, slackError("user_not_found")
	}
	return slackObj{"channel": slackObj{"id": "D" + users[0], "is_im": true}}, nil
}

func (s *Slack) uploadURL(f url.Values) (slackObj, error) {
	length, err := strconv.Atoi(f.Get("length"))
	if err != nil || length <= 0 || f.Get("filename") == "" {
		return nil, slackError("invalid_arguments")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idSeq++
	id := fmt.Sprintf("F%04d", s.idSeq)
	s.uploads[id] = &slackUpload{name: f.Get("filename"), length: length}
	return slackObj{"file_id": id, "upload_url": s.srv.URL + "/upload/" + id}, nil
}

// serveUpload takes a file's content, sent as the multipart field "file".
func (s *Slack) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	part, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	content, err := io.ReadAll(part)
	if err != nil {
		http.Error(w, "unreadable file", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	up := s.uploads[id]
	if up == nil || len(content) != up.length {
		http.Error(w, "unknown upload, or not the length announced", http.StatusBadRequest)
		return
	}
	up.content, up.uploaded = string(content), true
	w.WriteHeader(http.StatusOK)
}

func (s *Slack) completeUpload(f url.Values) (slackObj, error) {
	var files []struct{ ID, Title string }
	if err := json.Unmarshal([]byte(f.Get("files")), &files); err != nil || len(files) == 0 {
		return nil, slackError("invalid_arguments")
	}
	channel := f.Get("channel_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.HasPrefix(channel, "D") {
		if _, err := s.channelLocked(channel); err != nil {
			return nil, err
		}
	}
	var done []slackObj
	for _, file := range files {
		up := s.uploads[file.ID]
		if up == nil || !up.uploaded {
			return nil, slackError("file_not_found")
		}
		delete(s.uploads, file.ID)
		s.files[channel] = append(s.files[channel], SlackFile{ID: file.ID, Name: up.name, Title: file.Title, Content: up.content, Comment: f.Get("initial_comment")})
		done = append(done, slackObj{"id": file.ID, "title": file.Title})
	}
	return slackObj{"files": done}, nil
}
