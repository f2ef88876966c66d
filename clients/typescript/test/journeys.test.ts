/**
 * The SDK against the running service (tests/api/test_typescript_sdk.py starts it with the demo
 * data and the WeChat stand-in, and passes its base URL): a resident's journey and a platform's,
 * through both transports, plus what the client promises (typed problems, one refresh in
 * flight, one Idempotency-Key per logical POST, the method override under wx.request).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BilinClient, BilinProblem, type Transport, TransportError, fetchTransport, wxTransport } from "../src/index";
import { wxShim } from "./wx-shim";

const BASE = process.env.BILIN_BASE_URL ?? "";
const MINI_PROGRAM = "cli_demo_juyuan_mp";
const PLATFORM = { id: "cli_demo_juyuan", secret: "dev-secret-not-for-production" };
const skip = BASE ? false : "BILIN_BASE_URL is not set (run through tests/api/test_typescript_sdk.py)";

/** YYYY-MM-DD in Shanghai, `days` from today */
function shanghaiDay(days: number): string {
  return new Date(Date.now() + 8 * 3600_000 + days * 86400_000).toISOString().slice(0, 10);
}

const transports: [string, () => { transport: Transport; wx?: ReturnType<typeof wxShim> }][] = [
  ["fetch", () => ({ transport: fetchTransport() })],
  ["wx.request", () => {
    const wx = wxShim();
    return { transport: wxTransport(wx), wx };
  }],
];
// each transport signs in its own resident (two households: quotas and ballots are per household)
const RESIDENT: Record<string, string> = { fetch: "zhang", "wx.request": "wang" };

for (const [name, make] of transports) {
  describe(`a resident's journey through ${name}`, { skip }, () => {
    test("signs in, books a space, raises a proposal, supports and edits it, votes", async () => {
      const { transport, wx } = make();
      const client = new BilinClient({ baseUrl: BASE, transport, clientId: MINI_PROGRAM });
      const session = await client.signInWithWechatCode(RESIDENT[name]);
      assert.ok(session.accessToken && session.refreshToken);

      const me = (await client.GET("/v1/me")).data;
      const building = me.memberships[0].building_id;

      const spaces = (await client.GET("/v1/spaces")).data.data;
      const lounge = spaces.find((space) => space.kind === "lounge");
      assert.ok(lounge, "the demo data has a lounge");
      const day = shanghaiDay(name === "fetch" ? 2 : 3);
      const free = (await client.GET("/v1/spaces/{space_id}/availability", {
        path: { space_id: lounge.id },
        query: { from: `${day}T00:00:00+08:00`, to: `${shanghaiDay(name === "fetch" ? 3 : 4)}T00:00:00+08:00` },
      })).data.free;
      assert.ok(free.length > 0, "the lounge is free some time that day");
      const start = new Date(free[free.length - 1].start_at);
      const booking = await client.POST("/v1/spaces/{space_id}/bookings", {
        path: { space_id: lounge.id },
        body: { start_at: start.toISOString(), end_at: new Date(start.getTime() + 3600_000).toISOString(),
                attendees: 4, purpose: "读书会" },
      });
      assert.equal(booking.status, 201);
      assert.equal(booking.data.space_id, lounge.id);

      const proposal = await client.POST("/v1/buildings/{building_id}/proposals", {
        path: { building_id: building }, body: { title: `楼道加装感应灯（${name}）`, category: "facilities" },
      });
      assert.equal(proposal.status, 201);
      const supported = await client.POST("/v1/proposals/{proposal_id}/supports", {
        path: { proposal_id: proposal.data.id }, body: {},
      });
      assert.ok(supported.status < 300);
      // PATCH and DELETE: under wx.request they go as POST with X-HTTP-Method-Override
      const read = await client.GET("/v1/proposals/{proposal_id}", { path: { proposal_id: proposal.data.id } });
      const edited = await client.PATCH("/v1/proposals/{proposal_id}", {
        path: { proposal_id: proposal.data.id }, body: { title: `楼道和电梯厅加装感应灯（${name}）` },
        headers: { "If-Match": read.etag ?? "" },
      });
      assert.equal(edited.data.title, `楼道和电梯厅加装感应灯（${name}）`);
      const withdrawn = await client.DELETE("/v1/proposals/{proposal_id}/supports/mine", {
        path: { proposal_id: proposal.data.id },
      });
      assert.ok(withdrawn.status < 300);
      if (wx) {
        const overridden = wx.calls.filter((call) => call.header["X-HTTP-Method-Override"]);
        assert.deepEqual(overridden.map((call) => [call.method, call.header["X-HTTP-Method-Override"]]),
                         [["POST", "PATCH"], ["POST", "DELETE"]]);
      }

      const voting = (await client.GET("/v1/buildings/{building_id}/proposals", {
        path: { building_id: building }, query: { stage: "voting" },
      })).data.data;
      assert.ok(voting.length > 0, "the demo data keeps a vote open");
      const ballot = await client.PUT("/v1/proposals/{proposal_id}/ballot", {
        path: { proposal_id: voting[0].id }, body: { choice: "yes" },
      });
      assert.ok(ballot.status < 300);
      const result = await client.GET("/v1/proposals/{proposal_id}/result", { path: { proposal_id: voting[0].id } });
      assert.ok(result.data);
    });

    test("problems are typed errors with their code and field errors", async () => {
      const { transport } = make();
      const client = new BilinClient({ baseUrl: BASE, transport, clientId: MINI_PROGRAM });
      await client.signInWithWechatCode(RESIDENT[name]);
      await assert.rejects(client.GET("/v1/proposals/{proposal_id}", { path: { proposal_id: "prp_0000000000000000" } }),
        (error: unknown) => error instanceof BilinProblem && error.status === 404 && error.code === "not_found"
          && typeof error.requestId === "string");
      const me = (await client.GET("/v1/me")).data;
      await assert.rejects(client.POST("/v1/buildings/{building_id}/proposals", {
        path: { building_id: me.memberships[0].building_id }, body: { title: "", category: "facilities" },
      }), (error: unknown) => error instanceof BilinProblem && error.status === 400
          && error.code === "validation_failed" && error.errors.some((field) => /\btitle$/.test(field.field)));
    });

    test("an expired access token is refreshed once for every request waiting on it", async () => {
      const { transport } = make();
      let refreshes = 0;
      const counting: Transport = (request) => {
        if (request.url.endsWith("/v1/auth/token") && request.body?.includes("refresh_token")) refreshes++;
        return transport(request);
      };
      const client = new BilinClient({ baseUrl: BASE, transport: counting, clientId: MINI_PROGRAM });
      const session = await client.signInWithWechatCode(RESIDENT[name]);
      client.setSession({ accessToken: "expired.or.revoked", refreshToken: session.refreshToken });
      const answers = await Promise.all([client.GET("/v1/me"), client.GET("/v1/spaces"), client.GET("/v1/me")]);
      assert.deepEqual(answers.map((answer) => answer.status), [200, 200, 200]);
      assert.equal(refreshes, 1);  // a refresh token works once: a second refresh would revoke the family
      assert.notEqual(client.currentSession?.refreshToken, session.refreshToken);
    });

    test("a POST whose answer was lost is retried with the same Idempotency-Key and replayed", async () => {
      const { transport } = make();
      const keys: string[] = [];
      let lose = true;
      const lossy: Transport = async (request) => {
        const response = await transport(request);
        if (request.method === "POST" && request.url.includes("/proposals") && !request.url.includes("/v1/auth/")) {
          keys.push(request.headers["Idempotency-Key"]);
          if (lose) {
            lose = false;
            throw new TransportError("the answer was lost on the way back");
          }
        }
        return response;
      };
      const client = new BilinClient({ baseUrl: BASE, transport: lossy, clientId: MINI_PROGRAM });
      await client.signInWithWechatCode(RESIDENT[name]);
      const me = (await client.GET("/v1/me")).data;
      const title = `重试也只提一次（${name}）`;
      const created = await client.POST("/v1/buildings/{building_id}/proposals", {
        path: { building_id: me.memberships[0].building_id }, body: { title, category: "facilities" },
      });
      assert.equal(keys.length, 2);
      assert.equal(keys[0], keys[1]);
      assert.equal(created.headers["idempotent-replayed"], "true");
      const mine = (await client.GET("/v1/buildings/{building_id}/proposals", {
        path: { building_id: me.memberships[0].building_id }, query: { limit: 100 },
      })).data.data.filter((proposal) => proposal.title === title);
      assert.equal(mine.length, 1);
      // a new logical POST gets a new key
      await client.POST("/v1/buildings/{building_id}/proposals", {
        path: { building_id: me.memberships[0].building_id }, body: { title: `${title}·二`, category: "facilities" },
      });
      assert.notEqual(keys[2], keys[0]);
    });
  });

  describe(`a platform's journey through ${name}`, { skip }, () => {
    test("client credentials, the street's buildings, the event feed", async () => {
      const { transport } = make();
      const client = new BilinClient({ baseUrl: BASE, transport });
      const session = await client.signInWithClientCredentials(PLATFORM.id, PLATFORM.secret);
      assert.equal(session.refreshToken, undefined);
      const buildings = (await client.GET("/v1/buildings", { query: { limit: 5 } })).data;
      assert.ok(buildings.data.length > 0);
      const one = await client.GET("/v1/buildings/{building_id}", { path: { building_id: buildings.data[0].id } });
      assert.ok(one.etag);
      const events = (await client.GET("/v1/events", { query: { limit: 20 } })).data;
      assert.ok(events.data.length > 0);
      assert.ok(events.data.every((event) => typeof event.type === "string" && event.subject.id));
    });
  });
}
